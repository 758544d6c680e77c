"""The demo company: `manage.py load_demo` builds a believable sales organisation from a seed."""
