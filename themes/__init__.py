"""Built-in themes, shipped inside the sendsite package as ``sendsite.themes``.

Each sub-folder is one theme with ``templates/`` and ``static/``.
"""
