"""Settings of the app servers that tests/faults/ and bench/soak.py start: production's (config.settings,
from the environment), except that static files are served from the source tree without collectstatic."""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
