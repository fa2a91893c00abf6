"""Live video through the Vonage Video API's OpenTok interface, with the opentok SDK."""
