"""Pure-domain IP valuation (评估): indicator scoring per GB/T 42748-2023, income/cost/market approaches,
seeded Monte Carlo ranges, bundles, enterprise-level evaluation, route rule, revaluation and calibration.

Clauses: PZA-2.1.1, PZA-2.1.2, SC-3, SC-4, PZP-3.4.2. No Django imports. See ``docs/valuation.md``.
"""
