"""Features. Each module (or package) owns one ``router``; none imports a platform library."""
