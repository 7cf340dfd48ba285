"""The pages, one module per kind of user: sign-in, the parent portal, the check-in kiosk and the
union dashboard. ``common`` holds what they share: templates, forms, refusals in plain words."""
