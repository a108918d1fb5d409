from django.contrib import admin
from django.urls import include, path

from ipfin.api.api import api

admin.site.site_header = "ipfin 知识产权质押融资服务平台 · 管理后台"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("ipfin.registry.urls")),
    path("valuation/", include("ipfin.valuation.urls")),
    path("market/", include("ipfin.market.urls")),
    path("fund/", include("ipfin.fund.urls")),
    path("origination/", include("ipfin.origination.urls")),
    path("pledges/", include("ipfin.pledges.urls")),
    path("servicing/", include("ipfin.servicing.urls")),
    path("notifications/", include("ipfin.notifications.urls")),
    path("public/", include("ipfin.pledges.public_urls")),
    path("", include("ipfin.web.urls")),
]
