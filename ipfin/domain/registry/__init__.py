"""The registry's rules in plain Python (no Django): identifiers, terms, legal status, annual fees, shares.

- :mod:`.uscc` — 统一社会信用代码 (GB 32100-2015) with the organisation code's own check (GB 11714-1997);
- :mod:`.patent_number` — 专利申请号 (CNIPA ZC 0006-2003 and the 8-digit numbers before 2003);
- :mod:`.terms` — patent term end (专利法 art. 42) and the trademark renewal window (商标法 art. 40);
- :mod:`.legal_status` — 法律状态 derived from an ordered list of legal-status events;
- :mod:`.annual_fee` — 年费 due dates, grace period (宽限期) and late surcharge (滞纳金);
- :mod:`.shares` — co-ownership shares that sum to exactly 100 %.
"""
