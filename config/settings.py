"""Django settings. Deployment values come from :mod:`config.env` (env prefix ``IPFIN_``)."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env

SECRET_KEY = env.secret_key
DEBUG = env.debug
ALLOWED_HOSTS = env.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ipfin.core",
    "ipfin.accounts",
    "ipfin.calendar",
    "ipfin.policy",
    "ipfin.registry",
    "ipfin.valuation",
    "ipfin.market",
    "ipfin.fund",
    "ipfin.origination",
    "ipfin.pledges",
    "ipfin.servicing",
    "ipfin.notifications",
    "ipfin.web",
    "ipfin.demo",
    # Last: earlier apps win on translations, and the admin's catalogue would otherwise give
    # shared msgids such as "Filter" its own wording (过滤器) in our pages.
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ipfin.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ipfin.core.middleware.SecurityHeadersMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipfin.web.context.navigation",
                "ipfin.notifications.context.unread_notifications",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(env.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers queue instead of one
    # failing mid-transaction; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): lock the username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.login_failure_limit
AXES_COOLOFF_TIME = env.login_cooloff_hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Apps keep their catalogues in <app>/locale; messages of the pure domain live here.
LOCALE_PATHS = [BASE_DIR / "ipfin" / "domain" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_ROOT = BASE_DIR / "var" / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IPFIN_MAX_UPLOAD_BYTES = env.max_upload_bytes
# The platform's business date when fixed (IPFIN_BUSINESS_DATE); None: today in Asia/Shanghai.
IPFIN_BUSINESS_DATE = env.business_date

# Secure headers. HSTS and secure cookies are switched on by IPFIN_SECURE_COOKIES behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.secure_cookies
CSRF_COOKIE_SECURE = env.secure_cookies
if env.secure_cookies:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_AGE = 8 * 3600

EMAIL_BACKEND = env.email_backend
DEFAULT_FROM_EMAIL = "ipfin@localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.log_level},
    "loggers": {"axes": {"level": "WARNING"}},
}

IPFIN_SITE_TITLE = _("IP Pledge Financing Service Platform")
