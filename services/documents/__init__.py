"""Documents people download: the merchant's settlement statement (statement.py) as HTML, CSV
and PDF, with the Vazirmatn font it is set in (fonts/, SIL Open Font License 1.1)."""
