-- payments_id_desc repeated the primary key: a btree is read backwards as cheaply as forwards,
-- so `ORDER BY id DESC` (the payment list) walks payments_pkey. Every recorded payment paid for
-- the extra index entry (one of six) and its WAL.
DROP INDEX payments_id_desc;
