"""Voice: wake-word trigger sync now; the offline pipeline (wake word, STT, TTS, talk
mode) lands with the voice issue. Must not import Qt."""
