"""Checking a site past broken plugins, so one run reports every problem.

A plugin that fails to import, or raises in a hook called once for the whole
site (``register_formats``, ``register_pages`` …), would otherwise stop the
check at the first failure. Here it is recorded, set aside, and the check runs
again without it, so ``sendsite check`` names the broken plugin *and* still
reports the rest of the content. The result is an error all the same: a build
never publishes a site with a plugin missing.
"""

from __future__ import annotations

from sendsite.build.publish import BuildFailed, StrictWarnings, check_site
from sendsite.build.site import Refreshed
from sendsite.config import SiteConfig
from sendsite.errors import PluginError, Problem
from sendsite.plugins.manager import make_plugin_manager

__all__ = ["check_isolated"]


def check_isolated(config: SiteConfig, *, strict: bool = False) -> Refreshed:
    """Check the whole site, carrying on past broken plugins.

    Raises ``BuildFailed`` listing the plugins that failed (first) and every
    content problem found without them; ``StrictWarnings`` as ``check_site``.
    """
    pm = make_plugin_manager(config=config, tolerant=True)
    failed = [_problem(f.error) for f in pm.failures]
    for _ in range(len(pm.get_plugins()) + 1):
        try:
            checked = check_site(config, pm, strict=strict)
        except PluginError as error:
            if not pm.has_plugin(error.plugin):
                raise
            failed.append(_problem(error))
            pm.remove(error.plugin)
            continue
        except BuildFailed as outcome:
            errors = failed + _explained(outcome.errors, failed)
            raise BuildFailed(errors, outcome.warnings, capped=outcome.capped) from None
        except StrictWarnings as outcome:
            if failed:
                raise BuildFailed(failed, outcome.warnings) from None
            raise
        if failed:
            raise BuildFailed(failed, checked.warnings)
        return checked
    raise BuildFailed(failed, [])


def _problem(error: PluginError) -> Problem:
    error.problem.cause = error.__cause__
    return error.problem


def _explained(errors: list[Problem], failed: list[Problem]) -> list[Problem]:
    """Point 'unknown format' errors at the failed plugins that may have provided it."""
    if not failed:
        return errors
    note = (
        " A plugin failed (see above) and was left out of the check: it may be the one that "
        "reads this format."
    )
    for problem in errors:
        if problem.message.startswith("unknown format"):
            problem.fix = (problem.fix or "") + note
    return errors
