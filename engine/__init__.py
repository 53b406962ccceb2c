"""Unrolled's engine: pure PyTorch/numpy/pandas models and explanations (no Streamlit, no plotting)."""
