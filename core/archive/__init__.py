"""Archive (归档, DA/T 22-2015): 件 numbering, object-locked storage, accession export, destruction."""
