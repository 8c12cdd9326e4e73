# Properties hold confidential addresses: they are managed in the app, through the access
# policy, not in Django's admin.
