"""In-app notifications (站内通知) and their hand-off to delivery channels."""
