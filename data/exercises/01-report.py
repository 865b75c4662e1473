"""Adds up an order. Written years ago against numpy 1.x, and never touched since."""
import numpy as np

prices = np.array(["19.99", "5.01", "3.50"])
print(f"numpy {np.__version__}")
print(f"order total: {prices.astype(np.float64).sum():.2f}")
