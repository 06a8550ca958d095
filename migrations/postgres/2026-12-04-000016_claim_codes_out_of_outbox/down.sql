-- Nothing to restore: the removed notices held codes that must not be kept.
SELECT 1;
