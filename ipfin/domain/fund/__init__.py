"""The risk-compensation fund (风险补偿资金) in plain Python: ledger, claims, bank thresholds, coverage,
recoveries and the stress simulation (issue 7; the Baotou rules BT-3 … BT-23 are the model, PZA-2.3.1a and
SC-12 further profiles of the same machinery).

Every policy number arrives as a parameter that the Django app reads from the fund's policy profile; each
function's docstring names its clause. Money is integer fen, ratios are ``Decimal``, dates are explicit.
No Django imports anywhere under this package. The model in one page: ``docs/fund-domain.md``.
"""
