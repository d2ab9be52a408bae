using OneThing.Edge.Domain.Outbox;

namespace OneThing.Edge.Storage.Violations;

/// <summary>Violation states as stored: lower-case words, the same as the lifecycle events name them.</summary>
internal static class ViolationStates
{
    public static string ToText(ViolationState state) => state.ToString().ToLowerInvariant();

    public static ViolationState Parse(string text) => Enum.Parse<ViolationState>(text, ignoreCase: true);
}
