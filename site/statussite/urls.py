from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("", include("statuscore.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

# Google sign-in's begin and callback views, only when it is configured.
if getattr(settings, "GOOGLE_SIGN_IN", False):
    urlpatterns.append(path("auth/", include("social_django.urls", namespace="social")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns.append(path("", include("statuscms.urls")))
urlpatterns.append(path("", include(wagtail_urls)))

# Public 404 answers in the visitor's language, with the status page's brand.
handler404 = "statuscms.errors.page_not_found"
