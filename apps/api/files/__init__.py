"""Files endpoints: uploads (multipart, raw body, signed URL), listing, download, attach."""
