import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carepath.settings")

application = get_wsgi_application()

# What start-up loaded lives as long as the worker. Frozen, it is left out of the garbage
# collector's full collections (which would otherwise walk all of it, pausing a request for
# hundreds of milliseconds), and forked workers share it rather than copy it.
gc.collect()
gc.freeze()
