"""The lobby board: the called numbers, the Indonesian voice, and the board's QR status reader."""
