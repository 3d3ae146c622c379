"""The Wagtail front end: branded status pages and the editors' admin."""
