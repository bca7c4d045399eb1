"""Pages: what the browser shows. No queries and no access decisions here."""
