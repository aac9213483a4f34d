"""Organisation (组织机构): units (科室), people, posts (岗位), portfolios (分管) and delegation (代理)."""
