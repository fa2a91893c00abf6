"""Remote-assistance sessions: an expert and a field engineer share video and an AR room."""
