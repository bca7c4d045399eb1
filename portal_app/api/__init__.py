"""Plain HTTP routes mounted beside Reflex (sign-in cookies, health)."""
