"""The plugin author's guide, shipped inside the sendsite package as ``sendsite.docs``.

The Markdown pages here are the docs/ folder of sendsite's repository;
``sendsite new-area`` prints where they are installed.
"""
