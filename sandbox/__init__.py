"""Local emulators of the store platforms."""
