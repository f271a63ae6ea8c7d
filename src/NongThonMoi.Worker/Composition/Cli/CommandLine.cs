using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;

namespace NongThonMoi.Composition.Cli;

/// <summary>
/// A verb and its options, parsed by System.CommandLine from the one declaration in <see cref="Verbs"/>. Configuration
/// overrides (<c>--Smtp:Host=…</c>, <c>--Section:Key value</c>) are set apart first and go to the host; anything else
/// the declaration does not know (a mistyped verb or option) is an error, never a configuration key nobody reads.
/// </summary>
public sealed partial record CommandLine(string Verb, string? SubVerb, IReadOnlyDictionary<string, string> Options, string[] HostArgs, string? Error, string? Help = null)
{
    /// <summary>serve and demo run the web endpoints and the Hangfire server; the other verbs do one thing and exit.</summary>
    public bool Serves => Verb is "serve" or "demo";

    public string? Option(string name) => Options.GetValueOrDefault(name);

    public static CommandLine Parse(string[] args)
    {
        var (own, hostArgs) = SplitConfiguration(args);
        var root = Verbs.Root();
        var result = root.Parse(own);
        // The unknown word first: "serv" is better told as unrecognised than as a missing verb.
        if (result.Errors.OrderBy(e => result.UnmatchedTokens.Any(t => e.Message.Contains(t)) ? 0 : 1).FirstOrDefault() is { } error)
            return Fail($"{error.Message} (nongthonmoi --help)");
        if (result.Action is not null && result.Action != result.CommandResult.Command.Action) // --help, -h, --version: print, start nothing
        {
            var output = new StringWriter();
            result.Invoke(new InvocationConfiguration { Output = output, Error = output });
            return new CommandLine("help", null, new Dictionary<string, string>(), [], null, output.ToString());
        }

        var command = result.CommandResult.Command;
        var parent = command.Parents.OfType<Command>().FirstOrDefault();
        var (verb, sub) = command is RootCommand ? ("serve", null)
            : parent is null or RootCommand ? (command.Name, (string?)null)
            : (parent.Name, command.Name);
        var options = new Dictionary<string, string>();
        foreach (var option in command.Options.Where(o => o is not HelpOption))
        {
            var value = result.GetResult(option) switch
            {
                null => null,
                { Option: Option<bool> } flag => flag.GetValueOrDefault<bool>() ? "true" : null,
                var given => given.GetValueOrDefault<string>(),
            };
            if (value is not null) options[option.Name.TrimStart('-')] = value;
        }
        return new CommandLine(verb, sub, options, hostArgs, null);

        CommandLine Fail(string error) => new("", null, new Dictionary<string, string>(), [], error);
    }

    /// <summary>
    /// The ASP.NET Core command-line configuration forms that name a section (<c>--Smtp:Host=x</c>, <c>--Smtp:Host x</c>).
    /// <c>--unit:178</c> is System.CommandLine's own form of a declared option and stays with it.
    /// </summary>
    private static (string[] Own, string[] Host) SplitConfiguration(string[] args)
    {
        var own = new List<string>();
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = ConfigurationKey().Match(args[i]) is { Success: true } m ? m.Groups["key"].Value : null;
            if (name is null || Verbs.OptionNames.Contains(name[..name.IndexOf(':')], StringComparer.OrdinalIgnoreCase))
            {
                own.Add(args[i]);
                continue;
            }
            host.Add(args[i]);
            if (!args[i].Contains('=') && i + 1 < args.Length) host.Add(args[++i]);
        }
        return (own.ToArray(), host.ToArray());
    }

    [GeneratedRegex(@"^--(?<key>[A-Za-z][A-Za-z0-9_.]*(:[A-Za-z0-9_.]+)+)(=.*)?$", RegexOptions.Singleline)]
    private static partial Regex ConfigurationKey();
}
