"""Plain HTTP(S) downloads with httpx."""
