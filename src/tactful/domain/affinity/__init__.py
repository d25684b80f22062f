"""Mining what is bought together from order history."""
