with

source as (

    select * from {{ source('raw', 'tham_muu') }}

),

renamed as (

    select
        _month as month_date,
        advisory_id,
        task_id,
        unit_code,
        official_code,
        round_no,
        submitted_date,
        decided_date,
        outcome,
        return_reason,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
