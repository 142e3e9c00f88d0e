"""The layout variation kit: rewrite each seed fixture workbook into the layouts real finance-system
exports show (元, one sheet, split tables, renamed or regrouped columns…), in memory, so that
tests/test_layout_variants.py can prove the reader gives back exactly the base workbook's figures."""
