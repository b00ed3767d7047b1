"""Foundation every layer may use: logging (with NIK masking), bundled-file paths."""
