"""Origination rules: the policy checks an application (贷款申请) passes on submission and on approval."""
