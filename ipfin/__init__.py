"""ipfin — 知识产权质押融资服务平台 (IP pledge financing service platform)."""

__version__ = "0.1.0"
