"""Google Cloud Storage (google-cloud-storage SDK): the default blob store in production."""
