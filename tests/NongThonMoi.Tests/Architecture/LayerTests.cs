using NetArchTest.Rules;

namespace NongThonMoi.Tests.Architecture;

/// <summary>
/// The direction of every arrow in docs/architecture.md, as a list: composition → capabilities → the shared domain
/// (Programme) → Infrastructure. Between capabilities only the arrows listed here. A new <c>using</c> that breaks one
/// fails the build's tests with the offending types named.
/// </summary>
public class LayerTests
{
    private const string Root = "NongThonMoi";
    private const string Infrastructure = Root + ".Infrastructure";
    private const string Programme = Root + ".Programme";
    private const string Composition = Root + ".Composition";
    private const string Submissions = Root + ".Submissions";
    private const string Indicators = Root + ".Indicators";
    private const string Bulletins = Root + ".Bulletins";
    private const string Reminders = Root + ".Reminders";
    private const string Operations = Root + ".Operations";
    private const string Portal = Root + ".Portal";

    private static readonly string[] Capabilities = [Submissions, Indicators, Bulletins, Reminders, Operations, Portal];

    /// <summary>Each layer or capability, and what it must never use.</summary>
    public static TheoryData<string, string[]> Rules => new()
    {
        // Plumbing knows no domain and no capability.
        { Infrastructure, [Programme, Composition, .. Capabilities] },
        // The shared domain sits below every capability.
        { Programme, [Composition, .. Capabilities] },
        // Submissions tell Indicators about an accepted submission through Programme.ISubmissionAccepted, not directly.
        { Submissions, [Composition, Indicators, Bulletins, Reminders, Operations, Portal] },
        { Indicators, [Composition, Submissions, Bulletins, Reminders, Operations, Portal] },
        // Bulletins read Indicators' snapshot; that is their one arrow sideways.
        { Bulletins, [Composition, Submissions, Reminders, Operations, Portal] },
        { Reminders, [Composition, Submissions, Indicators, Bulletins, Operations, Portal] },
        // Operations may read any capability, but nothing depends on it.
        { Operations, [Composition, Portal] },
        // The portal calls Submissions (validator, archive, templates, access codes) and nothing else sideways.
        { Portal, [Composition, Indicators, Bulletins, Reminders, Operations] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_layer_uses_only_what_lies_below_it(string layer, string[] forbidden)
    {
        var result = Types.InAssembly(typeof(Program).Assembly)
            .That().ResideInNamespace(layer)
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();

        Assert.True(result.IsSuccessful,
            $"{layer} must not use {string.Join(", ", forbidden)}; these types do: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Every_type_lives_in_a_known_layer()
    {
        // A new top-level folder is a decision: give it a place in the rules above (and in docs/architecture.md) first.
        string[] known = [Infrastructure, Programme, Composition, .. Capabilities];
        var strays = typeof(Program).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith(Root, StringComparison.Ordinal) && !known.Any(k => ns == k || ns.StartsWith(k + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(strays);
    }

    [Fact]
    public void The_rules_see_dependencies_inside_method_bodies()
    {
        // Guards the guard: Bulletins really does use Indicators (BulletinJob reads the snapshot), so a rule forbidding it
        // must fail. If this passes vacuously, the rules above prove nothing.
        var result = Types.InAssembly(typeof(Program).Assembly)
            .That().ResideInNamespace(Bulletins)
            .ShouldNot().HaveDependencyOn(Indicators)
            .GetResult();

        Assert.False(result.IsSuccessful);
    }
}
