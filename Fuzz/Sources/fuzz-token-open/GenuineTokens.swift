/// Tokens sealed under the fuzz key by `fuzz-token-open --print-seeds` (also the seed files):
/// the only texts that may ever open.
let genuineTokens: Set<String> = [
    "AQcgsMd7QsF1Cz32AABQTAq0jydnDDZMo4b08fV8KAfN-M_Gu0bqkazwbmw0ER6d-8ryt6uBAsRBmtoEGADzLQaTc1X4_wc6173amw",
    "AQdGKZNsjChWCKSGAABxLgZbXWKvS5P7KMKz-Xc1dBiQy7nrfhrk7rzmeUTjUiqUPdEOTUUejOjm20Q25Hlqyy9teo7d-pO6vIpx6lWIh1RM",
    "AQctw0DHAA3cmFx3AABd8V_IdeKgDDF78KjyfEmGpiTQVv_zvr9vmxs7zBLCk2pQ3-ddjI24p5WG2FPyu2sGySsKoZol",
    "AQfDaMSNYCw4915BAAA_1zPyjFE8WdxMITg8CfhWkTSJUD25-Q",
    "AQccoBSG8xq2EYS4AAC59kACTPCux9K0Ed1wi81z8qn7VSiZv_JFPLQW3Pcc0ZHjNlT5Q1aYO0XL",
    // Format version 2 (TokenDictionary), the fixture of Tests/TrackingTests/TokenVersionTests.swift.
    "Agcv1f04WeJOEtTtAADkhn3k7dF9lYZKH_rRDfC9VD9raL79hB2tX6FzNqZi_ToHirJuurskBduts6Wy-HRW-ADBlxy34iIiqbsx_MHOYxA-QzrWBxeYk09Xwx2Tzw0LJbM72KjNBqUTMEzL7uRdcWXwyq-MKuT1-DOX2-Lr3h4ZOd8CbhRLvxU",
]
