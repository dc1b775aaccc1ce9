public enum TrackingPlaceholder {}
