namespace NongThonMoi.Composition.Cli;

/// <summary>A verb and its options; everything else on the command line is configuration (<c>--Smtp:Host=…</c>).</summary>
public sealed record CommandLine(string Verb, string? SubVerb, IReadOnlyDictionary<string, string> Options, string[] HostArgs, string? Error)
{
    public static readonly string[] Verbs = ["serve", "demo", "migrate", "sync-reference", "token", "submit", "recompute", "bulletin", "hash-password"];
    private static readonly string[] OptionNames = ["unit", "period", "file", "committee", "out", "resend"];

    /// <summary>serve and demo run the web endpoints and the Hangfire server; the other verbs do one thing and exit.</summary>
    public bool Serves => Verb is "serve" or "demo";

    public string? Option(string name) => Options.GetValueOrDefault(name);

    public static CommandLine Parse(string[] args)
    {
        var i = 0;
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[i++] : "serve";
        if (!Verbs.Contains(verb)) return Fail($"unknown verb \"{verb}\"");
        string? sub = null;
        if (verb is "token" or "bulletin")
        {
            sub = i < args.Length ? args[i++] : null;
            var allowed = verb == "token" ? new[] { "create", "revoke" } : ["preview", "send"];
            if (sub is null || !allowed.Contains(sub)) return Fail($"\"{verb}\" needs one of: {string.Join(", ", allowed)}");
        }

        var options = new Dictionary<string, string>();
        var hostArgs = new List<string>();
        for (; i < args.Length; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is not null && OptionNames.Contains(name))
            {
                if (name == "resend") { options[name] = "true"; continue; }
                if (i + 1 >= args.Length) return Fail($"--{name} needs a value");
                options[name] = args[++i];
            }
            else hostArgs.Add(args[i]);
        }
        var missing = (verb, sub) switch
        {
            ("token", _) when !options.ContainsKey("unit") => "--unit CODE",
            ("submit", _) when !options.ContainsKey("unit") || !options.ContainsKey("period") || !options.ContainsKey("file") => "--unit CODE --period P --file F",
            ("bulletin", "preview") when !options.ContainsKey("out") => "--out DIR",
            _ => null,
        };
        return missing is null ? new CommandLine(verb, sub, options, hostArgs.ToArray(), null) : Fail($"{verb} {sub} needs {missing}".Replace("  ", " "));

        static CommandLine Fail(string error) => new("", null, new Dictionary<string, string>(), [], error);
    }

    public const string Usage = """
        usage: nongthonmoi [verb] [options] [--Section:Key=value …]
          serve                                   web endpoints, dashboard and job server (the default)
          demo                                    serve on embedded defaults with the sample province and a first bulletin
          migrate                                 apply the database schema and exit
          hash-password                           read a password from standard input, print it as Admin:PasswordHash
          sync-reference                          load the reference folder into the database and exit
          token create|revoke --unit CODE         make (printed once) or revoke a reporting unit's submission token
          submit --unit CODE --period P --file F  submit a .json, .csv or .xlsx file as the admin
          recompute [--period P]                  recompute the figures now and print a summary
          bulletin preview [--committee ID] --out DIR   render bulletins to DIR, send nothing
          bulletin send [--committee ID] [--period P] [--resend]   send the bulletin now through the ledger
        """;
}
