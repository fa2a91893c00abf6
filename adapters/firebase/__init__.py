"""Firebase: Cloud Messaging push through firebase-admin's credentials and message model."""
