using NongThonMoi.Composition.Cli;

namespace NongThonMoi.Tests.Cli;

/// <summary>Each verb's parsing (CONTRACT §1): what it takes, what it refuses, and configuration overrides beside it.</summary>
public sealed class CommandLineTests
{
    private static CommandLine Parse(string line) => CommandLine.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [InlineData("", "serve", null)]
    [InlineData("serve", "serve", null)]
    [InlineData("demo", "demo", null)]
    [InlineData("migrate", "migrate", null)]
    [InlineData("sync-reference", "sync-reference", null)]
    [InlineData("hash-password", "hash-password", null)]
    [InlineData("recompute", "recompute", null)]
    [InlineData("token create --unit 178", "token", "create")]
    [InlineData("token revoke --unit 178", "token", "revoke")]
    [InlineData("bulletin send", "bulletin", "send")]
    [InlineData("bulletin preview --out dir", "bulletin", "preview")]
    public void Each_verb_is_read(string line, string verb, string? sub)
    {
        var command = Parse(line);
        Assert.Null(command.Error);
        Assert.Equal((verb, sub), (command.Verb, command.SubVerb));
        Assert.Equal(verb is "serve" or "demo", command.Serves);
    }

    [Fact]
    public void Options_are_read_with_their_values()
    {
        var submit = Parse("submit --unit 178 --period 2026-W48 --file a.csv");
        Assert.Equal(("178", "2026-W48", "a.csv"), (submit.Option("unit"), submit.Option("period"), submit.Option("file")));
        Assert.Equal("2026-W47", Parse("recompute --period 2026-W47").Option("period"));
        var send = Parse("bulletin send --committee bcd-178 --period 2026-W48 --resend");
        Assert.Equal(("bcd-178", "2026-W48", "true"), (send.Option("committee"), send.Option("period"), send.Option("resend")));
        Assert.Null(Parse("bulletin send").Option("resend"));
        Assert.Equal("out", Parse("bulletin preview --committee bcd-tinh --out out").Option("out"));
        Assert.Equal("178", Parse("token create --unit:178").Option("unit"));
    }

    [Theory]
    [InlineData("bulletin send --comittee bcd-178", "--comittee")] // the typo that used to send to everyone
    [InlineData("bulletin send --committee", "--committee")]
    [InlineData("bulletin sned", "sned")]
    [InlineData("bulletin", "command")]
    [InlineData("serv", "serv")]
    [InlineData("--comittee x", "--comittee")]
    [InlineData("token create", "--unit")]
    [InlineData("token delete --unit 178", "delete")]
    [InlineData("submit --unit 178 --period 2026-W48", "--file")]
    [InlineData("recompute --peroid 2026-W48", "--peroid")]
    [InlineData("bulletin preview", "--out")]
    [InlineData("migrate --unit 178", "--unit")]
    public void A_typo_or_a_missing_value_is_one_line_naming_it(string line, string named)
    {
        var command = Parse(line);
        Assert.NotNull(command.Error);
        Assert.Contains(named, command.Error);
        Assert.DoesNotContain('\n', command.Error);
    }

    [Fact]
    public void Configuration_overrides_go_to_the_host_and_never_become_options()
    {
        var command = CommandLine.Parse(["bulletin", "send", "--Smtp:Host=relay.example.vn", "--committee", "bcd-178", "--Smtp:Port", "2525"]);
        Assert.Null(command.Error);
        Assert.Equal(["--Smtp:Host=relay.example.vn", "--Smtp:Port", "2525"], command.HostArgs);
        Assert.Equal("bcd-178", command.Option("committee"));
        Assert.Equal(["--ConnectionStrings:NongThonMoi=Host=x;Port=5"], Parse("--ConnectionStrings:NongThonMoi=Host=x;Port=5").HostArgs);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("bulletin send --help")]
    [InlineData("token create -h")]
    [InlineData("submit --help")]
    public void Help_is_printed_for_the_program_and_each_verb(string line)
    {
        var command = Parse(line);
        Assert.Null(command.Error);
        Assert.False(command.Serves);
        Assert.Contains("Usage:", command.Help);
    }

    [Fact]
    public void Each_verb_help_lists_its_options()
    {
        Assert.Contains("--resend", Parse("bulletin send -h").Help);
        Assert.Contains("--file", Parse("submit -h").Help);
        Assert.Contains(".xlsx or .xls", Parse("submit -h").Help);
        foreach (var verb in new[] { "serve", "demo", "migrate", "sync-reference", "token", "submit", "recompute", "bulletin", "hash-password" })
            Assert.Contains(verb, Parse("--help").Help);
    }
}
