"""What the lobby board says: announcement texts (Indonesian number words) and recorded word clips."""
