import os

from django.core.wsgi import get_wsgi_application

from statussite.env import load_env_file

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statussite.settings.base")
load_env_file()

application = get_wsgi_application()
