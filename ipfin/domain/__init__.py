"""The policy rules and the maths, in plain Python: no Django imports anywhere under this package."""
