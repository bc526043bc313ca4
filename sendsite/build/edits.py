"""Which files of the content folder a refresh must look at.

``sendsite build`` looks through the whole content folder. The preview knows what
was saved (its watcher's events): when a save only edited documents the last
look found, those documents are all a refresh needs to read again, and looking
through (and at the modification time of) every other file is skipped, so a
save costs the same on a site of 10,000 reports as on one of 100.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath

from sendsite.content.documents import ContentTree, discover, resolved, saved_as

__all__ = ["ContentFiles"]


class ContentFiles:
    """The content folder as last looked through, and its documents by real path."""

    def __init__(self, content: Path, check: Callable[[], None] = lambda: None) -> None:
        self.content = content
        #: Raises if the content folder or the theme is not there (``SiteConfig.check_folders``).
        self._check = check
        self._tree: ContentTree | None = None
        self._known: dict[Path, PurePosixPath] | None = None
        #: The tree's documents: where each one's file is, by its path in the content folder.
        self._paths: dict[PurePosixPath, Path] = {}
        #: The tree's other files (attachments, area and site files): a save deleting one
        #: changes the site, unlike an editor's temporary file, gone as soon as made.
        self._others: set[Path] = set()

    def look(
        self, changed: Collection[Path] | None
    ) -> tuple[ContentTree, set[PurePosixPath] | None]:
        """The content folder's files, and the documents ``changed`` edited.

        ``None`` for the edits means every file must be checked: the folder was
        looked through again, because ``changed`` is unknown or holds more than edits
        of known documents (a file added, deleted or renamed, an area's or the site's
        own file, a document that is a link).
        """
        edits = self._edits(changed)
        if edits is None or self._tree is None:
            self._check()
            self._tree = discover(self.content)
            self._known = _documents_by_path(self._tree, self.content)
            self._paths = {rel: path for path, rel in self._tree.documents}
            root, tree = resolved(self.content), self._tree
            others = (*tree.assets, *tree.areas, *tree.site_files.values())
            self._others = {root / rel for _, rel in others}
            return self._tree, None
        return self._tree, edits

    def path_of(self, rel: PurePosixPath) -> Path:
        """The file of the document at ``rel`` in the content folder as last looked through."""
        return self._paths[rel]

    def _edits(self, changed: Collection[Path] | None) -> set[PurePosixPath] | None:
        if changed is None or self._known is None:
            return None
        content = resolved(self.content)
        edits: set[PurePosixPath] = set()
        for given in changed:
            path = saved_as(given)
            if content not in path.parents:
                continue  # a template, theme or plugin file: not content
            rel = self._known.get(path)
            if rel is None:
                if path.exists() or path.is_symlink() or path in self._others:
                    return None  # a new file, an area's or the site's own, one deleted
                if any(path in known.parents for known in (*self._known, *self._others)):
                    return None  # a folder moved away (to the bin): one event for it all
                continue  # an editor's temporary file, gone already
            if not path.is_file():
                return None  # a document deleted, or renamed away
            edits.add(rel)
        return edits


def _documents_by_path(tree: ContentTree, content: Path) -> dict[Path, PurePosixPath] | None:
    """The tree's documents by their real path; ``None`` if one is a link (a save of
    its target would not name it)."""
    if any(path.is_symlink() for path, _ in tree.documents):
        return None
    root = resolved(content)
    return {root / rel: rel for _, rel in tree.documents}
