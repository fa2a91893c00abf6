"""The audit log's and retention policy's endpoints, and the recorder of audited requests."""
