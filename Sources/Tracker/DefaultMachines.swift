import TrackingRuntime

/// The machine rules used when `tracker.machines_file` is not set: the text of
/// `deploy/machines.yaml` (a test keeps the two equal; edit that file, then copy it here).
public enum DefaultMachines {
    public static let yaml = #"""
# tracking-milter tracker — known automated fetchers (tracker.machines_file).
#
# A hit that matches a rule is still recorded: its event says "machine": "NAME" instead of
# null, so reports can count people and machines apart. Nothing is ever dropped.
#
# Rules are tried in order; the first that matches names the machine. A rule matches when
# every condition it has holds:
#   user_agent_contains  the User-Agent contains one of these (ASCII case-insensitive)
#   user_agent_equals    the User-Agent is exactly one of these
#   networks             the client address lies in one of these networks (CIDR)
#   network_files        ... or in a network listed in one of these files: one per line, in
#                        the first comma-separated field, '#' comments (Apple's
#                        egress-ip-ranges.csv reads as it is); relative to this file
#   events               the hit's event type is one of these (click, link_unsubscribe,
#                        open, initial_open, list_unsubscribe); without it, every type
# Several rules may carry the same name: any of them names the machine.
#
# Update: edit this file (or a copy named by tracker.machines_file) and send SIGHUP to the
# tracker. A broken file is reported in the log and the rules in force stay.
# The tracker has a built-in copy of this file, used when tracker.machines_file is not set.

machines:
  # Apple Mail Privacy Protection fetches remote content, open pixels included, through
  # Apple's relays as soon as mail arrives, whether or not anyone reads it (Apple:
  # "Mail Privacy Protection", support.apple.com). It shares iCloud Private Relay's
  # infrastructure (Word to the Wise, "Apple MPP reporting and geolocation", 2021, with
  # Mailchimp's data); Apple publishes that egress list for network operators ("Prepare your
  # network or web server for iCloud Private Relay", developer.apple.com):
  #   https://mask-api.icloud.com/egress-ip-ranges.csv  (large; refresh it regularly)
  # Download it next to this file and uncomment network_files below to use it.
  # ESPs that measured MPP traffic report that the relay sends a bare "Mozilla/5.0" as its
  # user agent (Apple does not document it): a pixel fetched with exactly that is MPP.
  - name: apple_mpp
    user_agent_equals: ["Mozilla/5.0"]
    events: [open, initial_open]
  # - name: apple_mpp
  #   network_files: [egress-ip-ranges.csv]
  #   events: [open, initial_open]

  # Gmail serves every image through Google's image proxy (Gmail blog, "Images now showing",
  # December 2013); its requests name it: "... (via ggpht.com GoogleImageProxy)".
  - name: google_image_proxy
    user_agent_contains: ["GoogleImageProxy"]

  # Yahoo Mail's image proxy names itself and its help page in the user agent:
  # "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html".
  - name: yahoo_image_proxy
    user_agent_contains: ["YahooMailProxy"]

  # Microsoft 365 / Exchange Online Protection scans links in arriving mail. These are the
  # Exchange Online Protection networks Microsoft publishes ("Microsoft 365 URLs and IP
  # address ranges", learn.microsoft.com; the same as the SPF record
  # spf.protection.outlook.com). Defender's detonation of links may come from other Azure
  # addresses, which no list names.
  - name: microsoft_scanner
    networks:
      - 40.92.0.0/15
      - 40.107.0.0/16
      - 52.100.0.0/14
      - 104.47.0.0/17
      - 2a01:111:f400::/48
      - 2a01:111:f403::/48

  # Link previews: chat and social apps fetch a link when it is pasted or shared. Each names
  # itself in its user agent, as its vendor documents (Slack: api.slack.com/robots; Meta:
  # "The Facebook Crawler"; X: Cards "Twitterbot"; LinkedIn: "LinkedInBot"; Discord:
  # "Discordbot"; Telegram: "TelegramBot"; Microsoft Teams/Skype: "SkypeUriPreview").
  - name: link_preview
    user_agent_contains:
      - Slackbot-LinkExpanding
      - facebookexternalhit
      - Twitterbot
      - LinkedInBot
      - Discordbot
      - TelegramBot
      - SkypeUriPreview
      - WhatsApp/

  # Search engine crawlers, which follow links they find (Google: "Googlebot"; Bing:
  # "bingbot", "BingPreview"; Apple: "Applebot").
  - name: crawler
    user_agent_contains: [Googlebot, bingbot, BingPreview, Applebot]

  # Headless Chrome, which scanners and sandboxes drive, says so in its user agent
  # ("HeadlessChrome/...", Chrome's headless mode).
  - name: headless_browser
    user_agent_contains: [HeadlessChrome]

  # HTTP libraries and command-line tools with their default user agents.
  - name: http_library
    user_agent_contains: [curl/, Wget/, python-requests/, python-urllib/, Go-http-client/, okhttp/, libwww-perl/]

"""#

    /// The parsed rules of `yaml`.
    public static func rules() throws(ConfigError) -> [MachineRule] {
        try MachineRulesLoader.parse(yaml, file: "(built-in deploy/machines.yaml)")
    }
}
