using Microsoft.Extensions.Options;

namespace OneThing.Edge.Host.OperatorConsole;

/// <summary>Checks console logins at start; each error names the key, never the token.</summary>
public sealed class ConsoleOptionsValidation : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var errors = new List<string>();
        if (options.Token is { Length: > 0 } token && token.Length < ConsoleOptions.MinTokenLength)
        {
            errors.Add($"{ConsoleOptions.Section}:Token must be at least {ConsoleOptions.MinTokenLength} characters (a short token is guessed quickly).");
        }
        for (var i = 0; i < options.Operators.Count; i++)
        {
            var op = options.Operators[i];
            if (string.IsNullOrWhiteSpace(op.Name))
            {
                errors.Add($"{ConsoleOptions.Section}:Operators:{i}:Name is required.");
            }
            // A hash says nothing about the token's length; what can be checked is that it is a SHA-256 at all.
            if (op.TokenSha256.Length != 64 || !op.TokenSha256.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{ConsoleOptions.Section}:Operators:{i}:TokenSha256 must be the 64 hex digits of the token's SHA-256.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
