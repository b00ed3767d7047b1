"""The complaint officer's console: complaints by state and age, their clocks, respond, forward, close."""
